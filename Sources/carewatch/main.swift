print("carewatch")
