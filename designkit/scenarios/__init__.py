"""designkit.scenarios"""
