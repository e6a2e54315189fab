"""Click commands of `tedge`; a leaf package: nothing imports from it."""
