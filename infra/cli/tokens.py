"""`stepwise token`, and the tokens `serve --demo` prints: local bearer tokens, signed with
STEPWISE_AUTH_SECRET, for development and demonstrations."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from pydantic import SecretStr

from api.auth import SCOPED_ROLES, WRITE_SCOPE, mint
from domain.envelope import Actor, Role
from infra.cli.support import console
from infra.demo.loader import ADMIN, DEMO_SERVICES, DEMO_TENANT, STAFF
from infra.settings import Settings

DEMO_READERS = {
    "commissioner": Actor("staff-carl", "Carl Obi", Role.COMMISSIONER),
    "inspector": Actor("staff-ines", "Ines Varga", Role.INSPECTOR),
    "integration": Actor("client-case-system", "Case system feed", Role.INTEGRATION_CLIENT),
    "admin": ADMIN,
}
DEMO_GRANT = timedelta(days=30)  # the demo inspector's grant
# Published in .env.example so that `docker compose up` serves an API one can call at once.
# Anyone who has read this repository can sign tokens with it, so `serve` warns while it is used.
DEVELOPMENT_SECRET = "stepwise-development-secret-never-for-real-records"


def token(
    role: Annotated[Role, typer.Option(help="The caller's role")],
    tenant: Annotated[str, typer.Option(help="The provider whose records it reaches")],
    subject: Annotated[str, typer.Option(help="The caller's id, stored on what they write")],
    name: Annotated[str, typer.Option(help="The caller's name, stored on what they write")],
    service: Annotated[
        list[str] | None, typer.Option(help="A service it is limited to (repeat for more)")
    ] = None,
    expires: Annotated[int, typer.Option(min=1, help="Minutes until it expires")] = 480,
    grant_ends: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="When an inspector's grant ends (a date, UTC)"),
    ] = None,
    scope: Annotated[
        str | None, typer.Option(help=f"OAuth scopes; `{WRITE_SCOPE}` lets a client write")
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(help="An integration client's organisation, as consents to share name it"),
    ] = None,
) -> None:
    """Mint a bearer token signed with STEPWISE_AUTH_SECRET (for local use; production tokens
    come from the identity provider)."""
    settings = Settings()
    if settings.auth_secret is None:
        console.print("[red]Set STEPWISE_AUTH_SECRET[/red] (32 characters or more) to mint tokens.")
        raise typer.Exit(1)
    if role in SCOPED_ROLES and not service:
        console.print(f"[red]A {role.value} token names its services:[/red] add --service.")
        raise typer.Exit(1)
    if role is Role.INSPECTOR and grant_ends is None:
        console.print("[red]An inspector's grant ends:[/red] add --grant-ends YYYY-MM-DD.")
        raise typer.Exit(1)
    grant = grant_ends.replace(tzinfo=UTC) if grant_ends else None
    minted = mint(settings, subject=subject, name=name, role=role, tenant_id=tenant,
                  services=service, expires_in=timedelta(minutes=expires), grant_expires=grant,
                  scope=scope, organisation=org)  # fmt: skip
    console.print(minted, soft_wrap=True)


def with_local_secret(settings: Settings) -> Settings:
    """A server with no way to verify tokens gets a secret of its own, for this run only."""
    if settings.auth_secret is not None or settings.auth_jwks_url:
        return settings
    console.print(
        "No STEPWISE_AUTH_SECRET or STEPWISE_AUTH_JWKS_URL: tokens are signed with a secret "
        "made for this run, and stop working when it stops."
    )
    return settings.model_copy(update={"auth_secret": SecretStr(secrets.token_urlsafe(32))})


def warn_of_development_secret(settings: Settings) -> None:
    secret = settings.auth_secret
    if secret is None or secret.get_secret_value() != DEVELOPMENT_SECRET:
        return
    console.print(
        "WARNING: STEPWISE_AUTH_SECRET is the published development secret (.env.example): "
        "anyone can sign tokens this server accepts. For development only: set a secret of "
        "your own, or STEPWISE_AUTH_JWKS_URL, before real records go in.",
        style="bold red",
        soft_wrap=True,
    )


def print_demo_tokens(settings: Settings) -> None:
    if settings.auth_secret is None:
        return  # tokens come from the identity provider
    console.print("Demo tokens (send as `Authorization: Bearer <token>`; valid 12 hours):")
    for actor in [*STAFF.values(), *DEMO_READERS.values()]:
        role, grant_ends = actor.role, datetime.now(UTC) + DEMO_GRANT
        minted = mint(settings, subject=actor.id, name=actor.name, role=role,
                      tenant_id=DEMO_TENANT, expires_in=timedelta(hours=12),
                      services=list(DEMO_SERVICES) if role in SCOPED_ROLES else None,
                      grant_expires=grant_ends if role is Role.INSPECTOR else None,
                      scope=WRITE_SCOPE if role is Role.INTEGRATION_CLIENT else None)  # fmt: skip
        console.print(f"  {actor.role.value:<22} {actor.name:<12} {minted}", soft_wrap=True)
