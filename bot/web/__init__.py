"""Static assets: the embeddable widget and the demo page."""
