/* The smallest useful image: one static program on scratch (see hull-image.yaml). */
#include <stdio.h>

int main(void)
{
	puts("hello from hull");
	return 0;
}
