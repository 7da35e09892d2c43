"""`csm dashboard`: the seed documents' dashboards as a static, self-contained site rendered
from the serving database's marts (see site.render_site)."""

from csm.dashboard.site import SiteResult, render_site

__all__ = ["SiteResult", "render_site"]
