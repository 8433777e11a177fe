from ops.release import sample_row


def first_row() -> list[float]:
    """The first row of the committed dataset (a malignant case)."""
    return sample_row()
