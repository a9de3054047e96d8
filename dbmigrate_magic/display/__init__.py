"""Renderers for results: plain text for terminals and logs, HTML for notebooks."""
