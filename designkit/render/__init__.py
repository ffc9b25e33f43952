"""designkit.render"""
