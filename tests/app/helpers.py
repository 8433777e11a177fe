from tests.conftest import ROOT


def first_row() -> list[float]:
    """The first row of the committed dataset (a malignant case)."""
    with (ROOT / "data" / "breast_cancer.csv").open() as f:
        f.readline()
        return [float(v) for v in f.readline().strip().split(",")[:-1]]
