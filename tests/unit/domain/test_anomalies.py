"""The anomaly rules on synthetic traffic: a stuffing burst is flagged, an ordinary evening peak is not."""

from datetime import UTC, datetime

from budgets.integrity import WINDOW, find_clusters, find_surges

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


def ballot(number: int, voter: str, device: str | None = None, origin: str | None = None) -> dict:
    return {"id": number, "voter": voter, "device": device, "origin": origin}


def test_many_voters_on_one_device_is_a_cluster():
    ballots = [ballot(i, f"v{i}", device="d1", origin=f"o{i}") for i in range(6)]
    ballots += [ballot(100 + i, f"w{i}", device=f"d{i + 10}") for i in range(50)]
    [finding] = find_clusters(ballots, NOW)
    assert finding.kind == "device_cluster" and finding.detail["voters"] == 6
    assert finding.detail["ballots"] == [0, 1, 2, 3, 4, 5]


def test_one_carrier_address_among_many_is_not_a_cluster():
    # 150 voters behind one carrier NAT out of 1,000: ordinary in Kazakhstan.
    ballots = [ballot(i, f"v{i}", device=f"d{i}", origin="carrier" if i < 150 else f"o{i}") for i in range(1000)]
    assert find_clusters(ballots, NOW) == []
    stuffed = [ballot(i, f"v{i}", origin="farm") for i in range(300)] + ballots[150:400]
    [finding] = find_clusters(stuffed, NOW)
    assert finding.kind == "address_cluster" and finding.subject == "farm"
