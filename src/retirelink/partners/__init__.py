"""Partner-department simulators: 公安, 司法, 卫健, 民政, 住建/公积金 and 医保 as real HTTP servers.

They play the *other* side of the wire contracts in ``docs/exchange.md``: change feeds,
disputes, identity checks, housing-fund and medical-insurance requests, a 司法 shared table
and GB18030 files in a 卫健/民政 inbox, all fed by the deterministic demo district, with
switches that make a department slow, down, or answer garbage. Used by the demo and by the
end-to-end tests; nothing here imports the platform's storage, composition root or entrypoints.
"""
