"""Transport adapters that pull partner data: one module per transport.

``http_api`` calls a partner's signed HTTP API (``GET /api/changes`` and the POST endpoints);
``shared_table`` reads a partner's shared table or view (库表同步). Each implements the
``DepartmentSource`` port; ``bootstrap`` wires them to the exchange services, which never
import this package.
"""
