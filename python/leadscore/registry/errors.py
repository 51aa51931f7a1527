"""What goes wrong around saved model versions and the registry, said so a user can act on it."""


class RegistryError(RuntimeError):
    """A registry, a model version or a lifecycle lock that cannot be used as asked: the message says
    which file or id, what is wrong, and what to do. Nothing was changed when it is raised."""
