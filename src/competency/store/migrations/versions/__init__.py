"""The store's revisions, oldest first: ``vNNNN_<slug>.py``, one per schema change."""
