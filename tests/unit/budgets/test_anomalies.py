"""The anomaly rules on synthetic traffic: a stuffing burst is flagged, an ordinary evening peak is not."""

from datetime import UTC, datetime

from budgets.integrity import WINDOW, WindowTraffic, find_clusters, find_surges

NOW = datetime(2026, 5, 20, 18, 0, tzinfo=UTC)


def windows(counts: list[int]) -> dict[datetime, int]:
    """Counts per window, the last one being the current window."""
    return {NOW - WINDOW * (len(counts) - 1 - i): n for i, n in enumerate(counts)}


def test_an_evening_peak_that_builds_up_is_ordinary():
    ramp = [40, 45, 55, 60, 70, 80, 95, 110, 130, 150, 170, 200, 240]
    assert find_surges(windows(ramp), NOW) == []


def test_a_sudden_jump_is_a_surge():
    burst = [20, 22, 18, 25, 21, 19, 23, 20, 24, 22, 21, 20, 400]
    [finding] = find_surges(windows(burst), NOW)
    assert finding.kind == "surge" and finding.detail["ballots"] == 400 and finding.detail["baseline"] == 21


def test_a_quiet_round_needs_real_numbers_before_it_is_flagged():
    assert find_surges(windows([0] * 12 + [30]), NOW) == []


def traffic(ballots: list[tuple[str, str | None, str | None]]) -> WindowTraffic:
    """A window's traffic from (voter, device, address) triples, grouped as the database groups it."""
    by: dict[str, dict[str, set]] = {"device": {}, "origin": {}}
    for voter, device, origin in ballots:
        for kind, source in (("device", device), ("origin", origin)):
            if source:
                by[kind].setdefault(source, set()).add(voter)
    return WindowTraffic(len({voter for voter, _, _ in ballots}),
                         {s: len(v) for s, v in by["device"].items()}, {s: len(v) for s, v in by["origin"].items()})


def test_many_voters_on_one_device_is_a_cluster():
    ballots = [(f"v{i}", "d1", f"o{i}") for i in range(6)] + [(f"w{i}", f"d{i + 10}", None) for i in range(50)]
    [finding] = find_clusters(traffic(ballots), NOW)
    assert finding.kind == "device_cluster" and finding.subject == "d1" and finding.detail["voters"] == 6


def test_one_voter_changing_their_mind_on_one_device_is_not_a_cluster():
    assert find_clusters(traffic([("v1", "d1", "o1")] * 20), NOW) == []


def test_one_carrier_address_among_many_is_not_a_cluster():
    # 150 voters behind one carrier NAT out of 1,000: ordinary in Kazakhstan.
    ballots = [(f"v{i}", f"d{i}", "carrier" if i < 150 else f"o{i}") for i in range(1000)]
    assert find_clusters(traffic(ballots), NOW) == []
    stuffed = [(f"v{i}", None, "farm") for i in range(300)] + ballots[150:400]
    [finding] = find_clusters(traffic(stuffed), NOW)
    assert finding.kind == "address_cluster" and finding.subject == "farm" and finding.detail["share"] == 0.75
