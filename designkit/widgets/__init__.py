"""designkit.widgets"""
