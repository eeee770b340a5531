"""Open311 GeoReport v2: citizens' apps report matters and follow them (/open311/v2/)."""
