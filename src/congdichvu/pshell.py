"""``pshell development.ini``: a shell with a session and the models."""
from .catalog import models


def setup(env):
    request = env["request"]
    request.tm.begin()
    env["tm"] = request.tm
    env["dbsession"] = request.dbsession
    env["models"] = models
