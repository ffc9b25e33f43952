"""designkit.metrics"""
