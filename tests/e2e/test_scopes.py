"""Least privilege: the bot scopes in the manifest come from METHOD_SCOPES, so its entries must be
exactly the Web API methods the app calls with its tokens, as the sandboxes of all the other
end-to-end tests recorded them."""

from __future__ import annotations

import pytest

from bot.gateway import METHOD_SCOPES
from tests.e2e.conftest import e2e_tests_left_out


def test_the_bot_scopes_are_those_of_the_methods_the_app_calls(
    request: pytest.FixtureRequest, methods_called: set[str]
):
    left_out = e2e_tests_left_out(request.session)
    if left_out or request.session.testsfailed:
        pytest.skip("needs every other end-to-end test to have run and passed first")
    assert sorted(methods_called - set(METHOD_SCOPES)) == [], "called, with no scope entry"
    assert sorted(set(METHOD_SCOPES) - methods_called) == [], "never called: a stale scope"
