"""Intelligent collection (issue 16): the case context, the learned policy, off-policy evaluation, transcript QA.

Core code: numpy, Vowpal Wabbit and jieba, no framework or adapter. What serving loads (choosing an arm,
scoring a transcript) never imports the training stack; training modules end in ``_train``.
"""
