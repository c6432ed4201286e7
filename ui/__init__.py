"""Footnote's faces: the command line, the REST API and the web page."""
