"""Only a dossier's applicant holds OWN_DOSSIER on it: the root's
ALL_PERMISSIONS (administrators) stops at the dossier."""
from types import SimpleNamespace

import pytest
from pyramid.authorization import ACLHelper

from congdichvu.eservices.resources import DossierResource, DraftResource
from congdichvu.security import Permissions, principals

APPLICANT = SimpleNamespace(id=7, roles=["citizen"])
ADMIN = SimpleNamespace(id=1, roles=["admin"])
OTHER_CITIZEN = SimpleNamespace(id=8, roles=["citizen"])
OFFICER = SimpleNamespace(id=9, roles=["officer"])


def _resources():
    return (DossierResource(None, SimpleNamespace(applicant_id=7)), DraftResource(None, SimpleNamespace(user_id=7)))


@pytest.mark.parametrize("resource", _resources(), ids=["dossier", "draft"])
def test_only_the_owner_holds_own_dossier(resource):
    helper = ACLHelper()
    assert helper.permits(resource, principals(APPLICANT), Permissions.OWN_DOSSIER)
    for user in (ADMIN, OTHER_CITIZEN, OFFICER, None):
        assert not helper.permits(resource, principals(user), Permissions.OWN_DOSSIER), user


@pytest.mark.parametrize("resource", _resources(), ids=["dossier", "draft"])
def test_every_other_permission_still_comes_from_the_root(resource):
    helper = ACLHelper()
    assert helper.permits(resource, principals(APPLICANT), Permissions.SUBMIT_DOSSIER)  # the header's links
    assert helper.permits(resource, principals(ADMIN), Permissions.VIEW_AUDIT)
    assert not helper.permits(resource, principals(APPLICANT), Permissions.VIEW_AUDIT)
