"""What goes in: the snapshot, settings, action types and fields, and the recommendation that comes out."""
