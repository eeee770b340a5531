"""The materialized inbox: claim, unclaim, assign, complete."""
