def uncovered_years_ahead():
    return []
