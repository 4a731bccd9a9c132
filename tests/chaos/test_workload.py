"""The workload's patience, in every `make test`: a request goes unanswered only if the platform
stays down PATIENCE after its faults, however long a fault lasts."""

from tests.chaos.workload import PATIENCE, Outage


def test_patience_waits_out_a_fault_that_lasts_longer_than_itself() -> None:
    outage = Outage()
    outage.begins()
    assert not outage.patience_over(began=0.0, now=PATIENCE * 3)  # a slow crash recovery
    outage.ends(at=PATIENCE * 3)
    assert not outage.patience_over(began=0.0, now=PATIENCE * 3.5)
    assert outage.patience_over(began=0.0, now=PATIENCE * 4 + 1)


def test_without_a_fault_patience_runs_from_the_first_try() -> None:
    outage = Outage()
    assert not outage.patience_over(began=10.0, now=10.0 + PATIENCE)
    assert outage.patience_over(began=10.0, now=10.0 + PATIENCE + 0.1)
    outage.begins()
    outage.ends(at=5.0)  # a fault undone before the request began changes nothing
    assert outage.patience_over(began=10.0, now=10.0 + PATIENCE + 0.1)
