"""The course's two programming assignments, driven by the engine: backpropagation and the heights fit."""
