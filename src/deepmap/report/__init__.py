"""HTML and PNG reports: small helpers that turn results into a self-contained page."""

from deepmap.report.html import figure_data_uri, html_page, html_table, save_figure

__all__ = ["figure_data_uri", "html_page", "html_table", "save_figure"]
