"""Small Flask functions serving the portal's JSON API, one app factory per function."""
