"""Printed documents (PDF): rendered from HTML and CSS with WeasyPrint and the Noto CJK fonts."""
