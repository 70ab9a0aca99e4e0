"""De-identification evaluation set (generated with a fixed seed plus hand-written notes) and its scorer."""
