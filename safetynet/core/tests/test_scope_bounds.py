from safetynet.core.scope import subtree_q


def test_subtree_bounds_are_digits_only_so_every_collation_agrees():
    # ':' after '9' holds only in the C collation; ICU and glibc locales sort punctuation elsewhere.
    condition = subtree_q("code", "371302")
    bounds = [value for _lookup, value in condition.children]
    assert bounds == ["371302", "371303"]
    assert all(bound.isdigit() for bound in bounds)


def test_the_last_code_of_a_length_has_no_upper_bound():
    assert [child[1] for child in subtree_q("code", "99").children] == ["99"]
