"""In-app notifications (the bell) and the interface for other channels such as SMS."""
