"""`leadscore bench`: in-warehouse scoring against scikit-learn and orbital, side by side, one run."""
