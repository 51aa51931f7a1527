"""Training and evaluation: read the training mart, fit scikit-learn pipelines, measure them."""
