"""Running the voice line on one instance: templates, their renderer, and the port plan."""
