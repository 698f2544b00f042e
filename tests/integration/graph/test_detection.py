"""Gang detection on a generated universe, scored against its ground truth (detection never reads truth)."""

from riskloop.graph.evaluation import evaluate
from riskloop.graph.gangs import detect_gangs
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.io.warehouse import Warehouse
from riskloop.testing.graph_fixtures import TEST_KEY

# Measured on this universe at the defaults: 1.0 everywhere; three legitimate applications (one gang of neighbours
# applying within days of each other, held by their address alone: labelled shared_address) in a gang.
# The thresholds leave room for generator changes without hiding a real regression.
MIN_QUALITY = 0.95
MAX_FPR = 0.005


def test_gangs_found_per_ring_shape(graph_universe, truth):
    con = Warehouse(graph_universe / "tables").connect()
    usage = read_usage(con, Tokenizer(TEST_KEY))
    gangs = detect_gangs(usage, status=read_status(con))
    report = evaluate(gangs, *truth, usage.application_id)
    assert set(report["shapes"]) == {"shared_contact", "device_farm", "nominee_rep", "shell_circular"}
    for shape, figures in report["shapes"].items():
        for name in ("member_recall", "member_precision", "ring_recall", "ring_precision"):
            assert figures[name] >= MIN_QUALITY, (shape, name, figures)
    assert report["false_positive_rate"] <= MAX_FPR
    labels = {g.label for g in gangs}
    assert labels <= {"shared_contact", "device_farm", "nominee_rep", "shell_circular", "shared_address", "mixed"}
