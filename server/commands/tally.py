import click


@click.command()
def tally(): pass
