"""congdichvu: the public-services portal of a Vietnamese city."""
import warnings

# Pyramid 2.1 and Deform 3 still import pkg_resources (hence setuptools<81);
# the deprecation notice says nothing an operator can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)


def main(global_config, **settings):
    """The WSGI application (PasteDeploy entry point)."""
    from .config import configure

    return configure(settings).make_wsgi_app()
