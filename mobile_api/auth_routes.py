"""Resident sign-in and profile endpoints."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from budgets.casting import source_hash
from core.clock import kazakhstan_today
from core.phones import check_phone
from core.residency import Origin, prove_residency
from core.residents import get_resident, profile_of
from infra import ratelimit
from infra.http import RESIDENT, RESIDENT_SECURITY, Client
from infra.problems import problems
from infra.ratelimit import RateLimiter
from infra.settings import Settings
from infra.sms import SmsSender
from infra.stores import Store
from infra.tokens import Principal
from mobile_api.auth import ResidentAuth, TokenPair
from mobile_api.schemas import Me, OtpRequest, OtpSent, RefreshRequest, ResidencyRequest, TokenRequest, Tokens


def _auth(settings: Settings, store: Store, sms: SmsSender) -> ResidentAuth:
    return ResidentAuth(settings, store, sms)


def _tokens(pair: TokenPair) -> Tokens:
    return Tokens(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


class ResidentAuthController(Controller):
    path = "/api/v1/auth"
    tags = ["resident sign-in"]

    @post("/otp", operation_id="sendSignInCode", status_code=202, summary="Send a 6-digit sign-in code by SMS",
          responses=problems({422: "not a Kazakh mobile number", 429: "too many codes or wrong attempts"}))
    async def send_code(self, data: JSONBody[OtpRequest], settings: NamedDependency[Settings],
                        store: NamedDependency[Store], sms: NamedDependency[SmsSender],
                        language: NamedDependency[str], client: NamedDependency[Client],
                        limiter: NamedDependency[RateLimiter]) -> OtpSent:
        # Against SMS pumping: codes cost money, so devices and addresses are limited as well as phones.
        await limiter.hit((ratelimit.OTP_PER_DEVICE, client.device), (ratelimit.OTP_PER_ADDRESS, client.address))
        expires_in = await _auth(settings, store, sms).send_code(data.phone, language)
        return OtpSent(expires_in=expires_in)

    @post("/token", operation_id="exchangeSignInCode", status_code=200, summary="Exchange the SMS code for tokens",
          responses=problems({401: "wrong or expired code", 422: "not a Kazakh mobile number",
                              429: "phone locked after 5 wrong codes"}))
    async def token(self, data: JSONBody[TokenRequest], settings: NamedDependency[Settings],
                    store: NamedDependency[Store], sms: NamedDependency[SmsSender], client: NamedDependency[Client],
                    limiter: NamedDependency[RateLimiter]) -> Tokens:
        phone = check_phone(data.phone)
        await limiter.hit((ratelimit.TOKEN_PER_PHONE, phone), (ratelimit.TOKEN_PER_ADDRESS, client.address))
        return _tokens(await _auth(settings, store, sms).exchange_code(phone, data.code))

    @post("/refresh", operation_id="refreshTokens", status_code=200, summary="Rotate a refresh token (each works once)",
          responses=problems({401: "used, expired or unknown refresh token"}))
    async def refresh(self, data: JSONBody[RefreshRequest], settings: NamedDependency[Settings],
                      store: NamedDependency[Store], sms: NamedDependency[SmsSender]) -> Tokens:
        return _tokens(await _auth(settings, store, sms).refresh(data.refresh_token))


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["resident profile"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="getMe", summary="The signed-in resident's profile",
         responses=problems({401: "no or bad resident token"}))
    async def me(self, resident: NamedDependency[Principal]) -> Me:
        return Me(**profile_of(await get_resident(resident.id), kazakhstan_today()).__dict__)

    @put("/residency", operation_id="proveResidency",
         summary="Prove residency once with an IIN; the same IIN with another region is a move",
         description="The IIN must pass the official checksum; the birth date comes from it. One IIN belongs to "
         "one account, and an account's IIN never changes: a different IIN is refused (409) and only staff "
         "release an IIN (`POST /api/v1/admin/identity/release`). Sending the same IIN with another region "
         "records a move from this moment, at most one in 30 days (`DAUYS_MOVE_INTERVAL_DAYS`; 429 says when "
         "the next is possible). Eligibility for a round is the residency that held when its voting opened.",
         responses=problems({401: "no or bad resident token",
                             409: "the IIN belongs to another account, or this account already has another IIN",
                             422: "IIN fails the official checksum or unknown region",
                             429: "moved residency less than 30 days ago"}))
    async def residency(self, data: JSONBody[ResidencyRequest], resident: NamedDependency[Principal],
                        settings: NamedDependency[Settings], client: NamedDependency[Client]) -> Me:
        origin = Origin(address=source_hash(settings.secret_key, "address", client.address),
                        device=source_hash(settings.secret_key, "device", client.device))
        row = await prove_residency(settings, resident.id, data.iin, data.region, origin)
        return Me(**profile_of(row, kazakhstan_today()).__dict__)
