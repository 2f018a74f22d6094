"""Exercises for every week of the course: seeded generators and exercise sets."""

from .core import TOPICS, Exercise, generate, topics

__all__ = ["Exercise", "TOPICS", "generate", "topics"]
