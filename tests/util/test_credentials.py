"""The one rule for "is this a credential" (headers and URL parameters), and URL placeholders.

The corpus names come from the services that put credentials there: Azure Functions takes its
function key in the ``x-functions-key`` header or the ``code`` query parameter
(https://learn.microsoft.com/azure/azure-functions/function-keys-how-to); Azure API Management's
subscription key header is ``Ocp-Apim-Subscription-Key`` (https://learn.microsoft.com/azure/
api-management/api-management-subscriptions); a Logic App's HTTP trigger URL carries a SAS
``sig`` beside the non-secret ``api-version``, ``sp`` (permissions) and ``sv`` (version)
(https://learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app).
"""

from __future__ import annotations

import pytest

from sarguard.model import EventHook, OrgState
from sarguard.responder.literals import literal_credential
from sarguard.util.credentials import (
    fingerprint,
    is_credential_header,
    is_credential_parameter,
    masked_url,
    url_credential_values,
    url_credentials,
)
from sarguard.util.urlsecrets import (
    UrlSecretError,
    fill_url_placeholders,
    matches_template,
    placeholder_names,
    split_url_secrets,
)

CREDENTIAL_HEADERS = [
    "x-functions-key", "Ocp-Apim-Subscription-Key", "X-Api-Key", "api_key", "apikey", "ApiKey",
    "Authorization", "Proxy-Authorization", "X-Auth-Token", "Cookie", "X-Session-Id",
    "X-Hub-Signature-256", "X-Sig", "Client-Secret", "X-Password", "X-Access-Token",
    "X-Amz-Security-Token", "SubscriptionKey", "X-Private-Key", "X-Credentials",
]
PLAIN_HEADERS = ["X-Signal", "Content-Type", "X-Request-Id", "X-Source", "Accept", "X-Tenant",
                 "X-Status-Code", "code", "X-Keyboard", "X-Monkey"]
CREDENTIAL_PARAMETERS = ["sig", "code", "key", "token", "api_key", "apikey", "access_token",
                         "signature", "secret", "password", "X-Amz-Signature", "client_secret",
                         "auth", "sessionId", "subscription-key", "apiKey"]
PLAIN_PARAMETERS = ["sv", "sp", "api-version", "page", "tenant", "signal", "monkey", "format"]


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
def test_credential_headers_are_recognised_by_shape(name):
    assert is_credential_header(name)


@pytest.mark.parametrize("name", PLAIN_HEADERS)
def test_plain_headers_are_not_credentials(name):
    assert not is_credential_header(name)


@pytest.mark.parametrize("name", CREDENTIAL_PARAMETERS)
def test_credential_parameters(name):
    assert is_credential_parameter(name)


@pytest.mark.parametrize("name", PLAIN_PARAMETERS)
def test_plain_parameters(name):
    assert not is_credential_parameter(name)


@pytest.mark.parametrize("name", ["sig", "code", "x-functions-key", "access_token"])
def test_the_responder_uses_the_same_rule(name):
    """responder.yaml's literal check and the hook rule agree (they used to differ)."""
    url = f"https://notify.example.com/x?{name}=Zz9LiteralValue"
    assert literal_credential(url, notification=False) is not None
    assert literal_credential("https://notify.example.com/x?signal=on&sv=1", notification=False) is None
    assert literal_credential(f"https://notify.example.com/x?{name}=${{SECRET}}", notification=False) is None


LOGIC_APP = ("https://prod-12.westus.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke"
             "?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbC%2BdEf123_-xyzSIGv")
FUNCTIONS = "https://fn-acme.azurewebsites.net/api/okta?code=FnKeyQ1w2e3r4t5y6u7i8o9p%3D%3D&clientId=default"


def test_a_logic_app_url_keeps_sp_and_sv_and_hides_sig():
    assert [name for name, _ in url_credentials(LOGIC_APP)] == ["sig"]
    masked = masked_url(LOGIC_APP)
    assert "AbC" not in masked and "sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0" in masked
    assert f"sig=[credential {fingerprint('AbC%2BdEf123_-xyzSIGv')}]" in masked


def test_url_credentials_include_the_decoded_value_and_a_userinfo_password():
    assert set(url_credential_values(FUNCTIONS)) == {"FnKeyQ1w2e3r4t5y6u7i8o9p%3D%3D",
                                                     "FnKeyQ1w2e3r4t5y6u7i8o9p=="}
    assert url_credentials("https://soc:hunter22@soar.example.com/x") == [("password", "hunter22")]
    assert "hunter22" not in masked_url("https://soc:hunter22@soar.example.com/x")
    assert url_credentials("https://soar.example.com/x?sig={secret:sig}") == []


def test_split_and_fill_round_trip_byte_for_byte():
    for url, names in ((LOGIC_APP, ["sig"]), (FUNCTIONS, ["code"])):
        template, secrets = split_url_secrets(url)
        assert placeholder_names(template) == names
        assert not url_credentials(template)
        assert "api-version=2016-10-01" in template or "clientId=default" in template
        assert fill_url_placeholders(template, secrets) == url
        assert matches_template(template, url)
        assert not matches_template(template, url.replace("https://", "https://evil.example/"))
    assert split_url_secrets("https://soar.example.com/x?sv=1") == ("https://soar.example.com/x?sv=1", {})


def test_a_repeated_parameter_gets_its_own_name():
    template, secrets = split_url_secrets("https://h.example/x?key=one1&key=two2")
    assert template == "https://h.example/x?key={secret:key}&key={secret:key_2}"
    assert secrets == {"key": "one1", "key_2": "two2"}


def test_fill_quotes_values_so_none_can_add_a_parameter():
    filled = fill_url_placeholders("https://h.example/x?sig={secret:sig}&a=1",
                                   {"sig": "v&admin=true#frag +="})
    assert filled == "https://h.example/x?sig=v%26admin%3Dtrue%23frag%20%2B%3D&a=1"


def test_a_missing_secret_is_named_never_its_neighbours_value():
    with pytest.raises(UrlSecretError) as info:
        fill_url_placeholders("https://h.example/x?sig={secret:sig}&code={secret:code}",
                              {"sig": "ShouldNotAppear"})
    assert "{secret:code}" in str(info.value) and "ShouldNotAppear" not in str(info.value)
    assert "sarguard:eventHookUrlSecrets" in str(info.value)


def test_the_live_reader_registers_url_and_header_credentials():
    state = OrgState(source="live", event_hooks=[EventHook(
        name="h", uri=LOGIC_APP, headers={"x-functions-key": "HeaderKey123", "X-Signal": "on-call"})])
    values = state.credential_header_values()
    assert "HeaderKey123" in values and "AbC+dEf123_-xyzSIGv" in values
    assert "on-call" not in values
