"""Training: the catalogue of modules and the review log."""
