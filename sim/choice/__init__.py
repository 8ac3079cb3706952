"""Route choice: shippers choose routes by generalized cost (logit or path-size logit), iterated with the
simulation until the shares settle. ``logit`` holds the model's mathematics."""
