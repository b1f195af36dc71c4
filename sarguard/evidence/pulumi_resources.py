"""Evidence from Pulumi resources: mock runs, policy-pack views and stack exports -> OrgState.

The same resource list arrives in three shapes (mock inputs, the pack's proxies, a stack export)
and with three encodings of secrets and unknowns. Everything is normalized here, once, so the
controls never see a Pulumi wire format and never see a secret's plaintext.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sarguard.model import (
    DECLARED_AS,
    NOTIFICATIONS_MANAGED,
    RAW_PROGRAM,
    UNKNOWN,
    Brand,
    Customization,
    EventHook,
    Location,
    NotificationSettings,
    OrgState,
    RoleSubscription,
    Source,
    Template,
    ThreatInsight,
    is_unknown,
    key_customization,
    key_event_hook,
    key_notifications,
    key_role_subscription,
    key_template_settings,
    key_threat_insight,
)
from sarguard.util.urlsecrets import split_url_secrets

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# The engine's unknown sentinels (the RPC's string one, and pulumi_policy's typed ones).
UNKNOWN_SENTINELS = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (also the RPC's generic unknown)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    # sarguard's mock engine: a text field of an invoke it cannot answer offline
    # (sarguard.pulumi.mockengine.OFFLINE_UNKNOWN; evidence may not import it).
    "sarguard-offline-unknown-value",
})
# Offline, the program's default brand resolves to this placeholder id.
DEFAULT_BRAND_PLACEHOLDER = "default-brand-id"
DEFAULT_BRAND = "default"

# sarguard's component (sarguard.pulumi.program.COMPONENT_TYPE; evidence may not import it).
T_COMPONENT = "sarguard:index:SuspiciousActivityReporting"
T_NOTIFICATIONS = "okta:index/securityNotificationEmails:SecurityNotificationEmails"
T_CUSTOMIZATION = "okta:index/emailCustomization:EmailCustomization"
T_TEMPLATE_SETTINGS = "okta:index/emailTemplateSettings:EmailTemplateSettings"
T_EVENT_HOOK = "okta:index/eventHook:EventHook"
T_VERIFICATION = "okta:index/eventHookVerification:EventHookVerification"
T_ROLE_SUBSCRIPTION = "okta:index/roleSubscription:RoleSubscription"
T_THREAT_INSIGHT = "okta:index/threatInsightSettings:ThreatInsightSettings"

_SWITCH_FIELDS = (
    "sendEmailForNewDeviceEnabled",
    "sendEmailForFactorEnrollmentEnabled",
    "sendEmailForFactorResetEnabled",
    "sendEmailForPasswordChangedEnabled",
    "reportSuspiciousActivityEnabled",
)


class Secret:
    """A Pulumi secret. Records only that it is one and whether it holds anything.

    The plaintext is dropped on construction, so it cannot leak into a report, a log or a repr.
    ``non_empty`` is None when the source cannot say (a stack export's ciphertext).
    """

    is_secret = True
    __slots__ = ("non_empty",)

    def __init__(self, non_empty: bool | None) -> None:
        self.non_empty = non_empty

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.non_empty == self.non_empty

    def __hash__(self) -> int:
        return hash(("Secret", self.non_empty))


@dataclass
class DeclaredResource:
    type: str                 # Pulumi type token, e.g. "okta:index/eventHook:EventHook"
    name: str                 # logical resource name
    inputs: dict[str, Any]    # camelCase inputs as the engine sees them
    urn: str | None = None
    id: str | None = None     # the id (mock-returned offline; real in a stack export; None/unknown in a preview)
    outputs: dict[str, Any] = field(default_factory=dict)
    property_dependencies: dict[str, list[str]] | None = None  # None: the source carries no dependencies (mocks)
    location: Location | None = None  # where the program declared it (mock runs of a program)
    provider: str = ""  # the engine's provider reference "<provider urn>::<id>" ("" = none given)


class SecretMapping(dict):
    """A whole object that is one Pulumi secret (rare). Used only while building the state:
    its fields are read for structure (an auth header's key) and its secretness is recorded;
    the plaintext never reaches the OrgState."""

    is_secret = True

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__


class SecretSequence(list):
    """A whole list that is one Pulumi secret: the SDK pushes a nested secret (one header's
    value) up to the top-level property, so a hook's ``headers`` arrive as one secret list. Its
    items are read for structure (the header names); every value in it counts as secret."""

    is_secret = True

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__


def normalize(value: Any) -> Any:
    """Unwrap proxies, turn secrets into :class:`Secret` and unknown sentinels into UNKNOWN."""
    if isinstance(value, Secret | SecretMapping | SecretSequence) or is_unknown(value):
        return value
    if getattr(value, "is_secret", False):  # e.g. sarguard.pulumi.stack.SecureValue
        return Secret(None)
    module = type(value).__module__ or ""
    if module.startswith("pulumi_policy"):
        if type(value).__name__ == "Secret":  # pulumi_policy.Secret
            return _secret_of(getattr(value, "value", None))
        try:  # the pack's Mapping/Sequence proxies keep the raw data under "__target"
            return normalize(value["__target"])
        except (KeyError, IndexError, TypeError):
            pass
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            if "value" in value:
                return _secret_of(value["value"])
            return Secret(None)  # ciphertext-wrapped (stack export)
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


def _secret_of(inner: Any) -> Any:
    plain = normalize(inner)
    if is_unknown(plain):
        return UNKNOWN
    if isinstance(plain, dict):
        return SecretMapping(plain)
    if isinstance(plain, list):
        return SecretSequence(plain)
    return Secret(bool(plain))


def _str(value: Any) -> Any:
    """A string input, UNKNOWN, or None (secrets are never strings here)."""
    if is_unknown(value) or value is None:
        return value
    return value if isinstance(value, str) else str(value)


class _Builder:
    """Accumulates one OrgState from resources in any order."""

    def __init__(self, source: Source, brand_keys: Mapping[str, str] | None) -> None:
        self.state = OrgState(source=source)
        self.brand_keys = dict(brand_keys or {})
        self.hooks: list[tuple[DeclaredResource, EventHook]] = []
        self.verifications: list[DeclaredResource] = []
        self.warnings: list[str] = []
        self.components = 0  # sarguard components seen

    # -- brands and templates ---------------------------------------------------------------
    def brand(self, brand_id: Any, deps: list[str]) -> Brand:
        if is_unknown(brand_id) or not brand_id:
            # Unknown in a preview: group by the resource the id comes from, when the source says.
            key = f"unknown:{deps[0].rsplit('::', 1)[-1]}" if deps else "unknown"
            bid: Any = UNKNOWN
        else:
            bid = str(brand_id)
            mapped = self.brand_keys.get(bid, bid)
            key = DEFAULT_BRAND if DEFAULT_BRAND in (bid, mapped) or bid == DEFAULT_BRAND_PLACEHOLDER \
                else mapped
        brand = self.state.brands.get(key)
        if brand is None:
            brand = Brand(key=key, id=bid, is_default=key == DEFAULT_BRAND)
            self.state.brands[key] = brand
        return brand

    def _brand_key(self, res: DeclaredResource, inputs: dict[str, Any]) -> str:
        """The key of the brand a template resource belongs to (after :meth:`template`)."""
        return self.brand(inputs.get("brandId"), _deps(res, "brandId")).key

    def template(self, res: DeclaredResource, inputs: dict[str, Any]) -> Template:
        brand = self.brand(inputs.get("brandId"), _deps(res, "brandId"))
        name = inputs.get("templateName")
        name = name if isinstance(name, str) and name else "unknown-template"
        template = brand.templates.get(name)
        if template is None:
            template = Template(name=name)
            brand.templates[name] = template
        return template

    def place(self, key: str, res: DeclaredResource) -> None:
        """Remember where ``res`` (evidence for ``key``) was declared and in which form."""
        if res.location is not None:
            self.state.locations.setdefault(key, res.location)
        if res.urn and T_COMPONENT not in res.urn:
            self.state.meta.setdefault(DECLARED_AS, {})[key] = "okta." + res.type.rsplit(":", 1)[-1]

    # -- one resource -------------------------------------------------------------------------
    def add(self, res: DeclaredResource) -> None:
        inputs = normalize(res.inputs or {})
        handler = _HANDLERS.get(res.type)
        if handler is not None:
            handler(self, res, inputs)

    def component(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        """``manageNotifications: false`` on the component: the switches are left out on purpose."""
        self.components += 1
        if inputs.get("manageNotifications") is False:
            self.state.meta[NOTIFICATIONS_MANAGED] = False

    def notifications(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        if self.state.notifications is not None:
            self.warnings.append(f"more than one SecurityNotificationEmails resource; "
                                 f"{res.name} is used")
        settings = NotificationSettings()
        for api_field in _SWITCH_FIELDS:
            value = inputs.get(api_field)
            if value is None:  # unset input: the provider default (true) applies
                settings.values[api_field] = True
                settings.defaulted.add(api_field)
            elif is_unknown(value) or isinstance(value, bool):
                settings.values[api_field] = value
            elif isinstance(value, str) and value.lower() in ("true", "false"):
                settings.values[api_field] = value.lower() == "true"
            else:
                settings.values[api_field] = None
        self.state.notifications = settings
        self.place(key_notifications(), res)
        self.state.notifications_resource_name = res.name
        self.state.notifications_urn = res.urn

    def customization(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        template = self.template(res, inputs)
        language = inputs.get("language")
        label = language if isinstance(language, str) and language else res.name
        self.place(key_customization(self._brand_key(res, inputs), template.name, label), res)
        is_default = inputs.get("isDefault")
        template.customizations.append(Customization(
            language=_str(inputs.get("language")),
            subject=_str(inputs.get("subject")),
            body=_str(inputs.get("body")),
            is_default=False if is_default is None else is_default,
            id=res.id if isinstance(res.id, str) else None,
            resource_name=res.name,
            urn=res.urn,
        ))

    def template_settings(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        template = self.template(res, inputs)
        template.recipients = _str(inputs.get("recipients"))
        self.place(key_template_settings(self._brand_key(res, inputs), template.name), res)
        template.settings_resource_name = res.name
        template.settings_urn = res.urn

    def event_hook(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        channel = inputs.get("channel")
        channel_unknown = is_unknown(channel)
        channel_opaque = isinstance(channel, Secret)  # ciphertext: the URL was filled from secrets
        channel = channel if isinstance(channel, Mapping) else {}
        auth = inputs.get("auth")
        auth_unknown = is_unknown(auth)
        auth_opaque = isinstance(auth, Secret)  # ciphertext: set and secret, fields unreadable
        auth = auth if isinstance(auth, Mapping) else {}
        value = auth.get("value")
        if auth_unknown or is_unknown(value):
            value_set, value_secret = None, None
        elif auth_opaque:
            value_set, value_secret = inputs["auth"].non_empty is not False, True
        elif isinstance(value, Secret):
            value_set, value_secret = value.non_empty is not False, True
        elif isinstance(auth, SecretMapping):
            value_set, value_secret = bool(value), True
        else:
            value_set, value_secret = bool(value), (False if value else None)
        if self.state.source == "pack" and value_secret is False:
            value_secret = None  # pulumi_policy unwraps secrets: the pack cannot tell
        events = inputs.get("events")
        if not is_unknown(events):
            events = [e if is_unknown(e) else str(e) for e in (events or [])]
        name = inputs.get("name")
        status = inputs.get("status")

        def chan(key: str) -> Any:
            return UNKNOWN if channel_unknown else _str(channel.get(key))

        uri = chan("uri")
        if isinstance(channel, SecretMapping) and isinstance(uri, str):
            # The program filled {secret:NAME} placeholders from sarguard:eventHookUrlSecrets, so
            # the channel is one secret: its credentials go back behind placeholders, never into
            # the model (the scheme, host and path stay judged).
            uri = split_url_secrets(uri)[0]

        hook = EventHook(
            name=name if is_unknown(name) or (isinstance(name, str) and name) else res.name,
            id=UNKNOWN if res.id in UNKNOWN_SENTINELS else res.id,
            status="ACTIVE" if status is None else _str(status),  # provider default ACTIVE
            channel_type=chan("type"),
            channel_version=chan("version"),
            uri=uri,
            headers=_headers(inputs.get("headers")),
            auth_type=UNKNOWN if auth_unknown else _str(auth.get("type")),
            auth_key=UNKNOWN if auth_unknown else _str(auth.get("key")),
            auth_value_set=value_set,
            auth_value_secret=value_secret,
            auth_opaque=auth_opaque,
            channel_opaque=channel_opaque,
            events=events,
            resource_name=res.name,
            urn=res.urn,
        )
        self.hooks.append((res, hook))
        if isinstance(hook.name, str):
            self.place(key_event_hook(hook.name), res)
        self.state.event_hooks.append(hook)

    def verification(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        self.verifications.append(res)

    def role_subscription(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        role, kind = _str(inputs.get("roleRef")), _str(inputs.get("notificationType"))
        if isinstance(role, str) and isinstance(kind, str):
            self.place(key_role_subscription(role, kind), res)
        self.state.role_subscriptions.append(RoleSubscription(
            role=_str(inputs.get("roleRef")) or "",
            notification_type=_str(inputs.get("notificationType")) or "",
            status="subscribed",  # pulumi-okta 7.x: the resource's existence is the subscription
            resource_name=res.name,
            urn=res.urn,
        ))

    def threat_insight(self, res: DeclaredResource, inputs: dict[str, Any]) -> None:
        zones = inputs.get("excludeZones")
        self.place(key_threat_insight(), res)
        self.state.threat_insight = ThreatInsight(
            action=_str(inputs.get("action")),
            exclude_zones=[str(z) for z in zones] if isinstance(zones, list) else [],
            resource_name=res.name,
            urn=res.urn,
        )

    # -- verification linking ----------------------------------------------------------------
    def link_verifications(self) -> None:
        """Mark hooks VERIFIED / UNVERIFIED / UNKNOWN from the verification resources.

        A verification names its hook by ``eventHookId``. In a preview that id is unknown, so the
        pack and stack exports link through the property dependency (the hook's URN). Mock runs
        carry no dependencies but return ids, so offline the mock id links them.
        """
        by_urn = {res.urn: hook for res, hook in self.hooks if res.urn}
        by_id = {hook.id: hook for _, hook in self.hooks if isinstance(hook.id, str) and hook.id}
        verified: set[int] = set()
        unresolved = False
        for res in self.verifications:
            inputs = normalize(res.inputs or {})
            target: EventHook | None = None
            for urn in _deps(res, "eventHookId"):
                target = target or by_urn.get(urn)
            hook_id = inputs.get("eventHookId")
            if target is None and isinstance(hook_id, str):
                target = by_id.get(hook_id)
            if target is not None:
                verified.add(id(target))
            elif not isinstance(hook_id, str) and not _deps(res, "eventHookId"):
                unresolved = True  # it may verify any of our hooks: cannot tell which
        for _, hook in self.hooks:
            if id(hook) in verified:
                hook.verification_status = "VERIFIED"
            else:
                hook.verification_status = UNKNOWN if unresolved else "UNVERIFIED"


def _deps(res: DeclaredResource, prop: str) -> list[str]:
    deps = res.property_dependencies or {}
    return [str(u) for u in (deps.get(prop) or [])]


def _headers(value: Any) -> dict[str, Any]:
    """``headers: [{key, value}]`` -> {key: value}; secret values become :class:`Secret`, and
    so does every value of a list that is one secret as a whole."""
    out: dict[str, Any] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and isinstance(item.get("key"), str):
                header = item.get("value")
                if isinstance(item, SecretMapping | SecretSequence) or isinstance(value, SecretSequence):
                    header = header if isinstance(header, Secret) else Secret(bool(header))
                out[item["key"]] = header
    return out


_HANDLERS = {
    T_COMPONENT: _Builder.component,
    T_NOTIFICATIONS: _Builder.notifications,
    T_CUSTOMIZATION: _Builder.customization,
    T_TEMPLATE_SETTINGS: _Builder.template_settings,
    T_EVENT_HOOK: _Builder.event_hook,
    T_VERIFICATION: _Builder.verification,
    T_ROLE_SUBSCRIPTION: _Builder.role_subscription,
    T_THREAT_INSIGHT: _Builder.threat_insight,
}


DEFAULT_PROVIDER = "default"


def provider_label(reference: str) -> str:
    """A provider reference's name: ``emea`` for ``urn:…::pulumi:providers:okta::emea::<id>``;
    ``default`` for none or for the engine's own default provider (``default_7_0_1``)."""
    if not reference:
        return DEFAULT_PROVIDER
    name = reference.rsplit("::", 1)[0].rsplit("::", 1)[-1]
    return DEFAULT_PROVIDER if name.startswith("default_") or name == DEFAULT_PROVIDER else name


def group_by_provider(resources: list[DeclaredResource]) -> list[tuple[str | None, list[DeclaredResource]]]:
    """The resources of each org a program manages: one group per provider its Okta resources
    use, ``[(None, all)]`` when they use one (the usual case: subjects stay as they are), else
    ``[(provider name, members)]``, the default provider first, then by name. A component joins
    the group of its first child (children are named ``<component>-…``)."""
    groups: dict[str, list[DeclaredResource]] = {}
    for res in resources:
        if res.type.startswith("okta:"):
            groups.setdefault(provider_label(res.provider), []).append(res)
    if len(groups) <= 1:
        return [(None, list(resources))]
    for component in (r for r in resources if r.type == T_COMPONENT):
        prefix = f"{component.name}-"
        home = next((label for label, members in groups.items()
                     if any(m.name.startswith(prefix) for m in members)), None)
        if home is not None:
            groups[home].insert(0, component)
    order = sorted(groups, key=lambda label: (label != DEFAULT_PROVIDER, label))
    return [(label, groups[label]) for label in order]


def state_from_resources(resources: Iterable[DeclaredResource], source: Source,
                         brand_keys: Mapping[str, str] | None = None) -> OrgState:
    """The OrgState a list of declared resources describes.

    ``brand_keys`` maps a resolved brand id to its stack key; an id equal to ``default``, mapped
    to ``default`` or equal to the offline placeholder ``default-brand-id`` is the default brand.
    """
    builder = _Builder(source, brand_keys)
    count = 0
    for res in resources:
        builder.add(res)
        count += 1
    builder.link_verifications()
    builder.state.meta["resourceCount"] = count
    if builder.state.meta.get(DECLARED_AS) and not builder.components:
        builder.state.meta[RAW_PROGRAM] = True
    if builder.warnings:
        builder.state.meta["warnings"] = builder.warnings
    return builder.state
