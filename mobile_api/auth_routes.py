"""Resident sign-in and profile endpoints."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from budgets.clock import kazakhstan_today
from mobile_api.auth import ResidentAuth, TokenPair
from mobile_api.residents import get_resident, profile_of, prove_residency
from mobile_api.schemas import Me, OtpRequest, OtpSent, RefreshRequest, ResidencyRequest, TokenRequest, Tokens
from server import ratelimit
from server.errors import problems
from server.http import RESIDENT, Client
from server.ratelimit import RateLimiter
from server.settings import Settings
from server.sms import SmsSender
from server.stores import Store
from server.tokens import Principal


def _auth(settings: Settings, store: Store, sms: SmsSender) -> ResidentAuth:
    return ResidentAuth(settings, store, sms)


def _tokens(pair: TokenPair) -> Tokens:
    return Tokens(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


class ResidentAuthController(Controller):
    path = "/api/v1/auth"
    tags = ["resident sign-in"]

    @post("/otp", status_code=202, summary="Send a 6-digit sign-in code by SMS",
          responses=problems({422: "not a Kazakh mobile number", 429: "too many codes or wrong attempts"}))
    async def send_code(self, data: JSONBody[OtpRequest], settings: NamedDependency[Settings],
                        store: NamedDependency[Store], sms: NamedDependency[SmsSender],
                        language: NamedDependency[str], client: NamedDependency[Client],
                        limiter: NamedDependency[RateLimiter]) -> OtpSent:
        # Against SMS pumping: codes cost money, so devices and addresses are limited as well as phones.
        await limiter.hit((ratelimit.OTP_PER_DEVICE, client.device), (ratelimit.OTP_PER_ADDRESS, client.address))
        expires_in = await _auth(settings, store, sms).send_code(data.phone, language)
        return OtpSent(expires_in=expires_in)

    @post("/token", status_code=200, summary="Exchange the SMS code for tokens",
          responses=problems({401: "wrong or expired code", 422: "not a Kazakh mobile number",
                              429: "phone locked after 5 wrong codes"}))
    async def token(self, data: JSONBody[TokenRequest], settings: NamedDependency[Settings],
                    store: NamedDependency[Store], sms: NamedDependency[SmsSender], client: NamedDependency[Client],
                    limiter: NamedDependency[RateLimiter]) -> Tokens:
        await limiter.hit((ratelimit.TOKEN_PER_PHONE, data.phone), (ratelimit.TOKEN_PER_ADDRESS, client.address))
        return _tokens(await _auth(settings, store, sms).exchange_code(data.phone, data.code))

    @post("/refresh", status_code=200, summary="Rotate a refresh token (each works once)",
          responses=problems({401: "used, expired or unknown refresh token"}))
    async def refresh(self, data: JSONBody[RefreshRequest], settings: NamedDependency[Settings],
                      store: NamedDependency[Store], sms: NamedDependency[SmsSender]) -> Tokens:
        return _tokens(await _auth(settings, store, sms).refresh(data.refresh_token))


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["resident profile"]
    dependencies = RESIDENT

    @get("/", summary="The signed-in resident's profile", responses=problems({401: "no or bad resident token"}))
    async def me(self, resident: NamedDependency[Principal]) -> Me:
        return Me(**profile_of(await get_resident(resident.id), kazakhstan_today()).__dict__)

    @put("/residency", summary="Prove residency once with an IIN and the region of registration",
         responses=problems({401: "no or bad resident token", 409: "the IIN belongs to another phone",
                    422: "IIN fails the official checksum or unknown region"}))
    async def residency(self, data: JSONBody[ResidencyRequest], resident: NamedDependency[Principal],
                        settings: NamedDependency[Settings]) -> Me:
        row = await prove_residency(settings.secret_key, resident.id, data.iin, data.region)
        return Me(**profile_of(row, kazakhstan_today()).__dict__)
