import ipaddress

from infra.ratelimit import client_address

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address("203.0.113.5", "198.51.100.1", ()) == "203.0.113.5"


def test_a_trusted_proxy_passes_on_the_last_untrusted_hop():
    assert client_address("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", PROXIES) == "203.0.113.9"


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.5", "1.2.3.4", PROXIES) == "203.0.113.5"


def test_garbage_in_forwarded_for_falls_back_to_the_peer():
    assert client_address("10.0.0.2", "not-an-address", PROXIES) == "10.0.0.2"
