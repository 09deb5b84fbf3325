"""Every view declares a permission; CSRF is on by default."""
from pyramid.interfaces import IDefaultCSRFOptions

from congdichvu.security import Permissions


def test_every_view_declares_a_permission(app):
    """Every routed view names a member of Permissions; only error views
    (which render what another view refused) and static files go without."""
    checked, missing = [], []
    for view in app.registry.introspector.get_category("views"):
        route = view["introspectable"]["route_name"]
        if route is None or route.startswith("__"):
            continue
        permissions = [r.discriminator for r in view["related"] if r.category_name == "permissions"]
        checked.append(route)
        if not permissions or not all(isinstance(p, Permissions) for p in permissions):
            missing.append(route)
    assert missing == []
    assert {"home", "procedure", "api_procedures"} <= set(checked)


def test_permissions_are_an_enum():
    assert Permissions.VIEW_PUBLIC == "public:view"


def test_csrf_is_required_by_default(app):
    options = app.registry.getUtility(IDefaultCSRFOptions)
    assert options.require_csrf is True
