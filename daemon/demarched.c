/* PLACEHOLDER: the service main, being written. */
int main(void) { return 70; }
