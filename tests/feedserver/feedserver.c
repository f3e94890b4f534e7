/* PLACEHOLDER: the feed server, being written. */
int main(void) { return 70; }
