"""Managing user accounts (administrators)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shielddesk.domain.errors import InvalidInput, NotFound
from shielddesk.domain.roles import Permission, Role
from shielddesk.services.auth import normalise_username
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.storage.models import SecondFactor, User, UserRole

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserInfo:
    user_id: int
    username: str
    display_name: str
    roles: tuple[Role, ...]
    active: bool
    locked: bool
    second_factor: bool = False


def validate_new_user(
    ctx: ServiceContext,
    session: Session,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    password: str,
) -> tuple[str, str, tuple[Role, ...]]:
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput("A username is 2-64 characters: letters, digits, '.', '_' or '-'.")
    display = display_name.strip()
    if not display:
        raise InvalidInput("A display name is required.")
    chosen = tuple(sorted(set(roles)))
    if not chosen:
        raise InvalidInput("A user needs at least one role.")
    if problem := ctx.password_policy.problem(password, name):
        raise InvalidInput(problem)
    if session.scalars(select(User.id).where(User.username == name)).first() is not None:
        raise InvalidInput("That username is already taken.")
    return name, display, chosen


def find_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == normalise_username(username))).one_or_none()
    if user is None:
        raise NotFound("No such user.")
    return user


def create_user_row(
    ctx: ServiceContext, session: Session, name: str, display: str, roles: tuple[Role, ...], password: str
) -> User:
    user = User(
        username=name,
        display_name=display,
        password_hash=ctx.hashing.hash(password),
        failed_attempts=0,
        active=True,
        created_at=ctx.now(),
        roles=[UserRole(role=role.value) for role in roles],
    )
    session.add(user)
    session.flush()
    return user


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add_user(
        self, actor: UserSession, username: str, display_name: str, roles: Iterable[Role], password: str
    ) -> UserInfo:
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.add", object_type="user") as act:
            name, display, chosen = validate_new_user(self._ctx, act.session, username, display_name, roles, password)
            user = create_user_row(self._ctx, act.session, name, display, chosen, password)
            act.object_id = user.id
            act.details.update(username=name, roles=[r.value for r in chosen])
            return self._info(user)

    def list_users(self, actor: UserSession) -> list[UserInfo]:
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.list") as act:
            users = act.session.scalars(select(User).order_by(User.username)).all()
            enrolled = set(act.session.scalars(select(SecondFactor.user_id)))
            return [self._info(u, second_factor=u.id in enrolled) for u in users]

    def set_roles(self, actor: UserSession, username: str, roles: Iterable[Role]) -> UserInfo:
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.roles", object_type="user") as act:
            user = find_user(act.session, username)
            chosen = sorted(set(roles))
            if not chosen:
                raise InvalidInput("A user needs at least one role.")
            if user.id == actor.user_id and Role.ADMIN not in chosen:
                raise InvalidInput("You cannot remove your own administrator role.")
            user.roles = [UserRole(role=r.value) for r in chosen]
            act.object_id = user.id
            act.details["roles"] = [r.value for r in chosen]
            act.session.flush()
            return self._info(user)

    def set_active(self, actor: UserSession, username: str, active: bool) -> UserInfo:
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.active", object_type="user") as act:
            user = find_user(act.session, username)
            if user.id == actor.user_id and not active:
                raise InvalidInput("You cannot deactivate your own account.")
            user.active = active
            if active:
                user.failed_attempts = 0
                user.locked_until = None
            act.object_id = user.id
            act.details["active"] = active
            return self._info(user)

    def _info(self, user: User, *, second_factor: bool = False) -> UserInfo:
        return UserInfo(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=tuple(sorted(Role(r.role) for r in user.roles)),
            active=user.active,
            locked=self._ctx.lockout.is_locked(user.locked_until, self._ctx.now()),
            second_factor=second_factor,
        )
