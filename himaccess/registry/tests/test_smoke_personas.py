def test_personas_are_made_through_actions(personas):
    assert personas.asha_family.living_members().count() == 2
    assert personas.member(personas.ravi).mother == personas.member(personas.asha)
