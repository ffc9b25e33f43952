"""The model host: one process holds the models once and steps many live sessions together.

Each session is a slot in batched state; every tick the host advances all active slots in one
batch (GPU when there, else CPU) and runs each session's own policy on the results.
"""
